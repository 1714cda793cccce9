#!/usr/bin/env bash
# Prints where the pages of the demo municipality are, before `make run` starts the server.
host=$1 port=$2 db=$3
base="http://$host:$port"
echo
echo "Loket – demo municipality Wilgendaal"
echo "  Booking (citizens):   $base/book"
echo "  Counter (clerks):     $base/counter"
for loc in $(sed -n 's/^- id: *\([a-z0-9-]*\).*/\1/p' config/locations.yaml); do
  echo "  Kiosk $loc:   $base/kiosk/$loc?setup=<kiosk token>"
  echo "  Display $loc: $base/display/$loc"
done
echo "  API:                  $base/api/v1/openapi.json"
echo
echo "Make tokens in another shell (the server picks them up at once):"
echo "  .build/release/loket token add --role kiosk --name kiosk-1 --db $db"
echo "  .build/release/loket token add --role clerk --name clerk-1 --db $db"
echo
