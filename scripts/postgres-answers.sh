#!/usr/bin/env bash
# Exit 0 when a PostgreSQL server answers on 127.0.0.1:5432.
exec pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null
