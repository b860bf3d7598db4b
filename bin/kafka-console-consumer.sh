#!/usr/bin/env bash
# Kafka's kafka-console-consumer.sh: runs `samsa console-consumer` with the same arguments.
exec "$(dirname "${BASH_SOURCE[0]}")/samsa" console-consumer "$@"
