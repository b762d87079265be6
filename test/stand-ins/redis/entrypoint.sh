#!/bin/sh
# `redis-server …` runs with protected mode off unless the command sets it; any other command runs as is.
set -e
if [ "$1" = redis-server ]; then
  shift
  case " $* " in *" --protected-mode "*) ;; *) set -- --protected-mode no "$@" ;; esac
  exec redis-server "$@"
fi
exec "$@"
