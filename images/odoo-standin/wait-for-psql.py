#!/usr/bin/python3
"""Waits until PostgreSQL accepts a connection with the given credentials (Slipway's Odoo stand-in image;
the official Odoo image ships a script of this name for its entrypoint). Exit 0 once connected, 1 after
--timeout seconds; the password is never printed."""

import argparse
import sys
import time

import psycopg2

parser = argparse.ArgumentParser()
parser.add_argument("--db_host", required=True)
parser.add_argument("--db_port", required=True)
parser.add_argument("--db_user", required=True)
parser.add_argument("--db_password", required=True)
parser.add_argument("--timeout", type=int, default=5)
arguments = parser.parse_args()


def value(text):
    return None if text in ("", "False") else text


deadline = time.monotonic() + arguments.timeout
while True:
    try:
        psycopg2.connect(
            dbname="postgres", host=value(arguments.db_host), port=value(arguments.db_port),
            user=value(arguments.db_user), password=value(arguments.db_password), connect_timeout=3,
        ).close()
        sys.exit(0)
    except psycopg2.OperationalError as error:
        if time.monotonic() >= deadline:
            message = str(error).strip()
            if arguments.db_password:
                message = message.replace(arguments.db_password, "********")
            print(f"Database connection failure: {message}", file=sys.stderr)
            sys.exit(1)
    time.sleep(1)
