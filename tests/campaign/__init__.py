"""A randomized fault campaign over the real stack (issue 16).

Hypothesis draws a scenario: a world for the OMS emulator, the operator's actions, and for each action the faults it
meets and perhaps a moment to SIGKILL ansible-playbook. `driver.play_scenario` runs the actions with the real
playbooks over real HTTP and checks the invariants of `invariants.py` after every one. docs/reliability.md
("Randomized campaign") says what is drawn, what is checked, the CI budget and how to replay a failure.
"""
