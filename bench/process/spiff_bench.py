#!/usr/bin/env python3
"""Runs bench/process/consultation-10.bpmn through SpiffWorkflow, the yardstick for motcua's engine.

    python3 bench/process/spiff_bench.py [INSTANCES] [--model FILE] [--warmup N]

Parses the model once, then for each instance creates a workflow with the data {"fee_vnd": 50000}
(so the fee branch of the exclusive gateway is taken), runs the engine steps and completes every
ready user task until the workflow is completed: 10 user tasks per instance, two of them the
parallel consultation. Nothing is persisted (SpiffWorkflow keeps the workflow in memory; motcua's
`engine/consultation-10/in_memory` criterion benchmark is the like-for-like figure).

Prints one JSON line:
{"engine": "SpiffWorkflow", "version": ..., "python": ..., "instances": N, "seconds": ...,
 "instances_per_second": ..., "cpu_seconds": ...}
`seconds` is wall time (time.perf_counter); `cpu_seconds` the CPU time of this process over the same
loop: when the two differ much, something else was using the machine.
"""
import argparse
import json
import platform
import sys
import time
from pathlib import Path

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnParser
from SpiffWorkflow.bpmn.specs.defaults import UserTask
from SpiffWorkflow.util.task import TaskState
from SpiffWorkflow.version import __version__ as SPIFF_VERSION

HERE = Path(__file__).resolve().parent
USER_TASKS = 10
DATA = {"fee_vnd": 50000}


def load(model):
    parser = BpmnParser()
    parser.add_bpmn_file(str(model))
    ids = parser.get_process_ids()
    if len(ids) != 1:
        sys.exit(f"spiff_bench: expected one process in {model}, found {ids}")
    return parser.get_spec(ids[0]), parser.get_subprocess_specs(ids[0])


def run_instance(spec, subprocess_specs):
    """One instance from start to end; returns the number of user tasks completed."""
    workflow = BpmnWorkflow(spec, subprocess_specs)
    workflow.task_tree.data.update(DATA)   # the start task's data is inherited by every task
    completed = 0
    workflow.do_engine_steps()
    while not workflow.is_completed():
        ready = workflow.get_tasks(state=TaskState.READY, manual=True)
        if not ready:
            raise RuntimeError("workflow stuck: no ready user task and not completed")
        for task in ready:
            if not isinstance(task.task_spec, UserTask):
                raise RuntimeError(f"unexpected manual task {task.task_spec.name}")
            task.run()
            completed += 1
        workflow.do_engine_steps()
    return completed


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("instances", nargs="?", type=int, default=2000)
    ap.add_argument("--model", default=str(HERE / "consultation-10.bpmn"))
    ap.add_argument("--warmup", type=int, default=100, help="instances run before timing (default 100)")
    args = ap.parse_args()
    if args.instances < 1:
        sys.exit("spiff_bench: INSTANCES must be at least 1")

    spec, subprocess_specs = load(args.model)
    for _ in range(args.warmup):
        run_instance(spec, subprocess_specs)

    counts = []
    cpu_start = time.process_time()
    start = time.perf_counter()
    for _ in range(args.instances):
        counts.append(run_instance(spec, subprocess_specs))
    seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - cpu_start

    wrong = [c for c in counts if c != USER_TASKS]
    if wrong:
        sys.exit(f"spiff_bench: {len(wrong)} instances completed {sorted(set(wrong))} user tasks, not {USER_TASKS}")
    print(json.dumps({
        "engine": "SpiffWorkflow",
        "version": SPIFF_VERSION,
        "python": platform.python_version(),
        "instances": args.instances,
        "seconds": round(seconds, 4),
        "instances_per_second": round(args.instances / seconds, 1),
        "cpu_seconds": round(cpu_seconds, 4),
    }))


if __name__ == "__main__":
    main()
