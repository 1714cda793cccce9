#!/usr/bin/env bash
# Prints where the pages of the demo municipality are, before `make run` starts the server.
host=$1 port=$2 db=$3 maildir=${4:-}
base="http://$host:$port"
echo
echo "Loket – demo municipality Wilgendaal"
echo "  Booking (citizens):   $base/book"
echo "  Counter (clerks):     $base/counter"
echo "  Admin:                $base/admin"
# Lobbies only: a remote channel (video, phone) has no kiosk or display.
awk '/^- id:/ { if (id != "") print id, kind; id = $3; kind = "" } /^  kind:/ { kind = $2 } END { if (id != "") print id, kind }' \
    config/locations.yaml |
while read -r loc kind; do
  [ "$kind" = remote ] && continue
  echo "  Kiosk $loc:   $base/kiosk/$loc?setup=<kiosk token>"
  echo "  Display $loc: $base/display/$loc"
done
echo "  API:                  $base/api/v1/openapi.json"
if [ -n "$maildir" ]; then
  echo "  Citizen mail:         $maildir/ (each message as an .eml file: open it in a mail program)"
fi
echo
echo "Make tokens in another shell (the server picks them up at once):"
echo "  .build/release/loket token add --role kiosk --name kiosk-1 --db $db"
echo "  .build/release/loket token add --role clerk --name clerk-1 --db $db"
echo "  .build/release/loket token add --role admin --name admin-1 --db $db"
echo
