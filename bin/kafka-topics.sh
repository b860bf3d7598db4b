#!/usr/bin/env bash
# Kafka's kafka-topics.sh: runs `samsa topics` with the same arguments.
exec "$(dirname "${BASH_SOURCE[0]}")/samsa" topics "$@"
