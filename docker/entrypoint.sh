#!/bin/sh
# Entry point of every suite image. If GOOGLE_APPLICATION_CREDENTIALS_JSON is set (injected from a
# secret by ECS), writes it to a file readable only by this user and points
# GOOGLE_APPLICATION_CREDENTIALS at it, so the Firebase Admin SDK finds its credentials. Then
# replaces itself with the app, so the app receives SIGTERM directly.
set -eu

if [ -n "${GOOGLE_APPLICATION_CREDENTIALS_JSON:-}" ]; then
  credentials_file="${GOOGLE_APPLICATION_CREDENTIALS:-/tmp/google-application-credentials.json}"
  umask 077
  printf '%s' "$GOOGLE_APPLICATION_CREDENTIALS_JSON" > "$credentials_file"
  export GOOGLE_APPLICATION_CREDENTIALS="$credentials_file"
  unset GOOGLE_APPLICATION_CREDENTIALS_JSON
fi

exec "$@"
