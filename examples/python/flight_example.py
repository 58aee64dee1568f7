"""One rank's stream over Arrow Flight in ten lines (tome serve --flight-addr):
    RANK=0 WORLD_SIZE=2 python flight_example.py grpc://127.0.0.1:8815 train
"""
import json, os, sys
import pyarrow.flight as flight

location, dataset = sys.argv[1], sys.argv[2]
params = {"dataset": dataset, "shuffle": "block", "seed": 7, "epoch": 0, "batch_rows": 1024,
          "world": int(os.environ.get("WORLD_SIZE", 1)), "rank": int(os.environ.get("RANK", 0)), "start": 0}
token = os.environ.get("TOME_TOKEN")
options = flight.FlightCallOptions(headers=[(b"authorization", b"Bearer " + token.encode())] if token else [])
reader = flight.connect(location).do_get(flight.Ticket(json.dumps(params).encode()), options=options)
rows = sum(batch.num_rows for batch in reader.to_reader())  # pyarrow.RecordBatch after pyarrow.RecordBatch
print(f"rank {params['rank']} of {params['world']}: {rows} rows")
