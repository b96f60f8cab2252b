"""What the tests share: servers on loopback, backends, fakes, probes, waiting."""
