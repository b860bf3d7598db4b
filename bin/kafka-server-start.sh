#!/usr/bin/env bash
# Kafka's kafka-server-start.sh: runs `samsa server-start` with the same arguments.
exec "$(dirname "${BASH_SOURCE[0]}")/samsa" server-start "$@"
