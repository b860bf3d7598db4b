#!/usr/bin/env bash
# Kafka's kafka-configs.sh: runs `samsa configs` with the same arguments.
exec "$(dirname "${BASH_SOURCE[0]}")/samsa" configs "$@"
