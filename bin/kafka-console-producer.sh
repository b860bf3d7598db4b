#!/usr/bin/env bash
# Kafka's kafka-console-producer.sh: runs `samsa console-producer` with the same arguments.
exec "$(dirname "${BASH_SOURCE[0]}")/samsa" console-producer "$@"
