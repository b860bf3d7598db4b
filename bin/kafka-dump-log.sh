#!/usr/bin/env bash
# Kafka's kafka-dump-log.sh: runs `samsa dump-log` with the same arguments.
exec "$(dirname "${BASH_SOURCE[0]}")/samsa" dump-log "$@"
