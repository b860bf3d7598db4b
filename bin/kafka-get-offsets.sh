#!/usr/bin/env bash
# Kafka's kafka-get-offsets.sh: runs `samsa get-offsets` with the same arguments.
exec "$(dirname "${BASH_SOURCE[0]}")/samsa" get-offsets "$@"
