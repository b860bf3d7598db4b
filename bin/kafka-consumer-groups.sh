#!/usr/bin/env bash
# Kafka's kafka-consumer-groups.sh: runs `samsa consumer-groups` with the same arguments.
exec "$(dirname "${BASH_SOURCE[0]}")/samsa" consumer-groups "$@"
