"""A simulated Microsoft 365 tenant: Entra token endpoint, the Graph subset we use, device provisioning."""

from teams_sip.simulator.devices import DeviceActionError
from teams_sip.simulator.faults import FaultSettings
from teams_sip.simulator.scenario import Scenario, ScenarioError
from teams_sip.simulator.server import SimulatedTenant
from teams_sip.simulator.world import SentMail

__all__ = ["DeviceActionError", "FaultSettings", "Scenario", "ScenarioError", "SentMail", "SimulatedTenant"]
