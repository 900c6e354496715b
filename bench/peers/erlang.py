"""Erlang C for the peer benchmark: the exact mean wait in queue of M/M/c.

Shared by simpy_mmc.py and ciw_mmc.py. Erlang B by its stable recursion
B(k) = a·B(k−1) / (k + a·B(k−1)), then C = B / (1 − ρ(1 − B)) (the same formula as
tests/integration/validation.rs), and Wq = C · S / (c (1 − ρ)).
"""


def erlang_c(servers: int, rho: float) -> float:
    a = rho * servers
    b = 1.0
    for k in range(1, servers + 1):
        b = a * b / (k + a * b)
    return b / (1.0 - rho * (1.0 - b))


def mean_wait(servers: int, rho: float, service_mean: float) -> float:
    """Mean wait in queue, in the unit of `service_mean`."""
    return erlang_c(servers, rho) * service_mean / (servers * (1.0 - rho))


if __name__ == "__main__":
    import sys

    c, rho, s = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
    print(f"{mean_wait(c, rho, s):.9g}")
