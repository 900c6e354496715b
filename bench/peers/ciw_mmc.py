"""M/M/c in Ciw: one node, exponential arrivals and service, c servers. Prints one
line: customers, wall seconds, mean wait in queue.

    python ciw_mmc.py SERVERS RHO CUSTOMERS SEED

Time unit: seconds; service mean 0.1 s (as in bench/peers/mmc.toml). Ciw keeps a record
per customer (which is how it reports waits, and why it needs hundreds of MB at 10^6).
"""

import sys
import time

import ciw

SERVICE_MEAN_S = 0.1


def main() -> None:
    servers, rho, customers, seed = (
        int(sys.argv[1]),
        float(sys.argv[2]),
        int(sys.argv[3]),
        int(sys.argv[4]),
    )
    lam = rho * servers / SERVICE_MEAN_S
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=lam)],
        service_distributions=[ciw.dists.Exponential(rate=1.0 / SERVICE_MEAN_S)],
        number_of_servers=[servers],
    )
    ciw.seed(seed)
    t0 = time.perf_counter()
    sim = ciw.Simulation(network)
    sim.simulate_until_max_customers(customers, method="Finish")
    wall = time.perf_counter() - t0
    recs = sim.get_all_records()
    waits = [r.waiting_time for r in recs]
    print(f"{len(waits)} {wall:.6f} {sum(waits) / len(waits):.9g}")


if __name__ == "__main__":
    main()
