#!/usr/bin/env bash
# Kafka's kafka-storage.sh: runs `samsa storage` with the same arguments.
exec "$(dirname "${BASH_SOURCE[0]}")/samsa" storage "$@"
