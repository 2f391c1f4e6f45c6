"""In-memory stand-ins for the service's ports, shared by the tests. Each passes the same contract
test as the adapter it stands for (tests/contracts/, tests/store/test_contract.py), so a service
test on these fakes means what it would mean on the real adapters, in milliseconds and without a
server. `MemoryPorts` (ports.py) puts them together as the composition root does."""
