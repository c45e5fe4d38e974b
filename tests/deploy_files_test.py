"""Checks the deployment files in deploy/ against the topology they are made from.

Each must be exactly what the built sbrgated prints for it (deploy/generate.sh
writes them so), must parse as YAML, and must name every topic and every stage
of the topology (`sbrgated --print-topology=json`) as a deployment needs:

  deploy/strimzi/kafka.yaml        a KafkaTopic per topic, with its partitions
                                   and cleanup policy; the Kafka cluster
  deploy/kubernetes/sbrgate.yaml   every stage in the Deployment of one
                                   executable, probed on /healthz and /readyz
                                   of its admin port; the ServiceMonitor
  deploy/compose.yaml              Kafka, every topic created, every stage in
                                   a service

  deploy_files_test.py SBRGATED
"""

import difflib
import json
import re
import subprocess
import sys
import unittest

import yaml

SBRGATED = None  # the path of the sbrgated to ask, from the command line

# Every deployment file: the arguments of the command that prints it.
GENERATED = {
    "deploy/strimzi/kafka.yaml": ["--print-topology=strimzi", "--replication=3"],
    "deploy/kubernetes/sbrgate.yaml": ["--print-topology=kubernetes"],
    "deploy/compose.yaml": ["--print-topology=compose"],
}

DNS_1123_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


def sbrgated(*args):
    return subprocess.run([SBRGATED, *args], check=True, capture_output=True, text=True).stdout


def documents(path):
    with open(path, encoding="utf-8") as f:
        return list(yaml.safe_load_all(f))


def of_kind(docs, kind):
    return [d for d in docs if d["kind"] == kind]


class DeployFilesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.topology = json.loads(sbrgated("--print-topology=json"))
        cls.stages = {s["name"]: s for s in cls.topology["stages"]}
        cls.app = cls.topology["app"]

    def test_each_file_is_what_sbrgated_prints(self):
        for path, args in GENERATED.items():
            with self.subTest(path=path):
                printed = sbrgated(*args)
                with open(path, encoding="utf-8") as f:
                    checked_in = f.read()
                if printed != checked_in:
                    diff = "".join(
                        list(
                            difflib.unified_diff(
                                checked_in.splitlines(True),
                                printed.splitlines(True),
                                path,
                                "sbrgated " + " ".join(args),
                            )
                        )[:40]
                    )
                    self.fail(
                        f"{path} is not what `sbrgated {' '.join(args)}` prints: run "
                        f"deploy/generate.sh (and commit what it writes)\n{diff}"
                    )

    def test_every_document_parses_and_says_what_it_is(self):
        for path in GENERATED:
            with self.subTest(path=path):
                docs = documents(path)
                self.assertTrue(docs)
                for doc in docs:
                    self.assertIsInstance(doc, dict, f"{path}: an empty or stray document")
                    if path != "deploy/compose.yaml":
                        self.assertIn("apiVersion", doc)
                        self.assertTrue(DNS_1123_NAME.match(doc["metadata"]["name"]), doc)

    def test_strimzi_has_a_kafka_topic_per_topic_and_the_cluster(self):
        docs = documents("deploy/strimzi/kafka.yaml")
        (kafka,) = of_kind(docs, "Kafka")
        self.assertEqual(kafka["metadata"]["name"], self.app)
        self.assertTrue(any(l["tls"] for l in kafka["spec"]["kafka"]["listeners"]))
        self.assertIn("topicOperator", kafka["spec"]["entityOperator"])
        self.assertEqual(len(of_kind(docs, "KafkaNodePool")), 1)
        self.assertEqual(len(of_kind(docs, "KafkaUser")), 1)

        kafka_topics = {t["spec"]["topicName"]: t for t in of_kind(docs, "KafkaTopic")}
        self.assertEqual(
            sorted(kafka_topics), sorted(t["name"] for t in self.topology["topics"])
        )
        for topic in self.topology["topics"]:
            with self.subTest(topic=topic["name"]):
                resource = kafka_topics[topic["name"]]
                self.assertEqual(resource["metadata"]["labels"]["strimzi.io/cluster"], self.app)
                spec = resource["spec"]
                self.assertEqual(spec["partitions"], topic["partitions"])
                self.assertEqual(spec["replicas"], 3)
                self.assertEqual(spec["config"]["cleanup.policy"], topic["cleanup_policy"])
                if topic["cleanup_policy"] == "delete":
                    self.assertEqual(spec["config"]["retention.ms"], topic["retention_ms"])
                self.assertEqual(spec["config"]["min.insync.replicas"], 2)

    def test_kubernetes_runs_every_stage_in_a_probed_deployment(self):
        docs = documents("deploy/kubernetes/sbrgate.yaml")
        deployment_of = {}  # stage -> the Deployment that runs it
        for deployment in of_kind(docs, "Deployment"):
            for stage in deployment["metadata"]["annotations"]["sbrgate/stages"].split(","):
                self.assertNotIn(stage, deployment_of, f"stage {stage} runs in two Deployments")
                deployment_of[stage] = deployment
        self.assertEqual(sorted(deployment_of), sorted(self.stages))

        services = of_kind(docs, "Service")
        for name, stage in self.stages.items():
            with self.subTest(stage=name):
                deployment = deployment_of[name]
                labels = deployment["spec"]["template"]["metadata"]["labels"]
                self.assertEqual(labels["app.kubernetes.io/name"], self.app)
                pod = deployment["spec"]["template"]["spec"]
                (container,) = pod["containers"]
                self.assertTrue(container["command"][0].startswith("/opt/sbrgate/bin/"))
                self.assertIn("--admin-listen=0.0.0.0:9090", container["args"])
                self.assertIn("--data-dir=/var/lib/sbrgate", container["args"])
                self.assertIn({"name": "admin", "containerPort": 9090}, container["ports"])
                self.assertEqual(
                    container["livenessProbe"]["httpGet"], {"path": "/healthz", "port": "admin"}
                )
                self.assertEqual(
                    container["readinessProbe"]["httpGet"], {"path": "/readyz", "port": "admin"}
                )
                self.assertIn(
                    {"name": "data", "persistentVolumeClaim": {"claimName": f"{self.app}-data"}},
                    pod["volumes"],
                )
                if stage["per_instance"]:
                    # A view answers queries: it runs in a process that serves gRPC.
                    self.assertTrue(
                        any(
                            s["spec"]["selector"] == labels
                            and any(p["name"] == "grpc" for p in s["spec"]["ports"])
                            for s in services
                        ),
                        f"view {name} runs where no gRPC Service reaches",
                    )

        (gateway,) = [s for s in services if s["metadata"]["name"] == f"{self.app}-gateway"]
        self.assertEqual(sorted(p["port"] for p in gateway["spec"]["ports"]), [9090, 50051])
        (claim,) = of_kind(docs, "PersistentVolumeClaim")
        self.assertEqual(claim["spec"]["accessModes"], ["ReadWriteMany"])

    def test_kubernetes_scrapes_every_pod_s_metrics(self):
        docs = documents("deploy/kubernetes/sbrgate.yaml")
        (monitor,) = of_kind(docs, "ServiceMonitor")
        self.assertEqual(monitor["apiVersion"], "monitoring.coreos.com/v1")
        self.assertEqual(monitor["spec"]["endpoints"], [{"port": "admin", "path": "/metrics"}])
        selected = [
            s
            for s in of_kind(docs, "Service")
            if monitor["spec"]["selector"]["matchLabels"].items()
            <= s["metadata"]["labels"].items()
        ]
        self.assertEqual(len(selected), 1, "the ServiceMonitor scrapes one Service")
        self.assertEqual(selected[0]["spec"]["selector"], {"app.kubernetes.io/name": self.app})
        self.assertIn("admin", [p["name"] for p in selected[0]["spec"]["ports"]])

    def test_compose_creates_every_topic_and_runs_every_stage(self):
        (compose,) = documents("deploy/compose.yaml")
        services = compose["services"]
        environment = services["kafka"]["environment"]
        self.assertEqual(environment["KAFKA_PROCESS_ROLES"], "broker,controller")
        self.assertEqual(environment["KAFKA_CONTROLLER_QUORUM_VOTERS"], "1@kafka:9093")

        script = services["topics"]["command"][0]
        for topic in self.topology["topics"]:
            with self.subTest(topic=topic["name"]):
                self.assertRegex(
                    script,
                    rf"--topic {re.escape(topic['name'])} --partitions {topic['partitions']} ",
                )

        service_of = {}  # stage -> the service that runs it
        for name, service in services.items():
            for stage in service.get("labels", {}).get("sbrgate.stages", "").split(","):
                if stage:
                    self.assertNotIn(stage, service_of, f"stage {stage} runs in two services")
                    service_of[stage] = name
        self.assertEqual(sorted(service_of), sorted(self.stages))
        for name in set(service_of.values()):
            with self.subTest(service=name):
                service = services[name]
                self.assertEqual(service["image"], "sbrgate:latest")
                self.assertIn(f"{self.app}-data:/var/lib/sbrgate", service["volumes"])
                self.assertIn("--admin-listen=0.0.0.0:9090", service["command"])
                self.assertEqual(
                    service["depends_on"]["topics"]["condition"],
                    "service_completed_successfully",
                )


if __name__ == "__main__":
    SBRGATED = sys.argv.pop(1)
    unittest.main()
