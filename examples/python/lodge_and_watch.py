#!/usr/bin/env python3
"""Lodges a pay event with sbrgate over gRPC and watches it to a final state.

An example client for a payroll product written in Python: it streams the
file to LodgmentService.SubmitPayEvent (the metadata first, then 256 KiB
chunks), then follows WatchLodgment until the lodgment is final, printing one
JSON object a line: the lodgment as answered, then each change.

  python3 lodge_and_watch.py --gateway=HOST:PORT --tls-cert=me.pem \\
      --tls-key=me.key --tls-ca=ca.pem pay.xml
  python3 lodge_and_watch.py --gateway=127.0.0.1:50051 --insecure pay.xml

Exit status: 0 accepted (in full or in part), 1 another final state
(rejected, refused, ...), 2 the call failed (its gRPC code and message on
stderr). Needs Debian's python3-grpcio and python3-protobuf, and the gRPC
modules Bazel generates from proto/lodgment.proto (//examples/python:grpc_modules) on
PYTHONPATH.
"""

import argparse
import json
import os
import sys

import grpc

from proto import lodgment_pb2, lodgment_pb2_grpc

CHUNK_BYTES = 256 * 1024
ACCEPTED = {lodgment_pb2.ACCEPTED, lodgment_pb2.PARTIALLY_ACCEPTED}
FINAL = ACCEPTED | {
    lodgment_pb2.REJECTED,
    lodgment_pb2.SYSTEM_ERROR,
    lodgment_pb2.ESCALATED,
    lodgment_pb2.SUPERSEDED,
    lodgment_pb2.REFUSED,
}


def upload(path):
    """The SubmitPayEvent stream: metadata, then the file in chunks."""
    yield lodgment_pb2.SubmitRequest(
        metadata=lodgment_pb2.SubmitMetadata(
            prevalidate=lodgment_pb2.PREVALIDATE_HOLD,
            file_name=os.path.basename(path),
            size_bytes=os.path.getsize(path),
        )
    )
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK_BYTES):
            yield lodgment_pb2.SubmitRequest(chunk=chunk)


def channel(args):
    if args.insecure:
        return grpc.insecure_channel(args.gateway)

    def read(path):
        with open(path, "rb") as f:
            return f.read()

    credentials = grpc.ssl_channel_credentials(
        root_certificates=read(args.tls_ca),
        private_key=read(args.tls_key),
        certificate_chain=read(args.tls_cert),
    )
    return grpc.secure_channel(args.gateway, credentials)


def show(lodgment):
    print(
        json.dumps(
            {
                "lodgment_id": lodgment.lodgment_id,
                "state": lodgment_pb2.LodgmentState.Name(lodgment.state),
                "detail": lodgment.detail,
            }
        ),
        flush=True,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", help="the pay event (PAYEVNT + PAYEVNTEMP records)")
    parser.add_argument("--gateway", required=True, help="HOST:PORT of sbrgate's gRPC API")
    parser.add_argument("--insecure", action="store_true", help="plain text (a loopback gateway)")
    parser.add_argument("--tls-cert", help="this client's certificate (PEM): its identity")
    parser.add_argument("--tls-key", help="its private key (PEM)")
    parser.add_argument("--tls-ca", help="the CA that signed the gateway's certificate")
    parser.add_argument("--timeout", type=float, default=600, help="seconds to wait in all")
    args = parser.parse_args()
    if not args.insecure and not (args.tls_cert and args.tls_key and args.tls_ca):
        parser.error("--tls-cert, --tls-key and --tls-ca are required (or --insecure)")

    with channel(args) as ch:
        service = lodgment_pb2_grpc.LodgmentServiceStub(ch)
        try:
            lodgment = service.SubmitPayEvent(upload(args.file), timeout=args.timeout)
            show(lodgment)
            request = lodgment_pb2.GetLodgmentRequest(lodgment_id=lodgment.lodgment_id)
            for change in service.WatchLodgment(request, timeout=args.timeout):
                if change.state != lodgment.state:
                    show(change)
                lodgment = change
                if lodgment.state in FINAL:
                    break
        except grpc.RpcError as e:
            print(f"lodge_and_watch: {e.code().name}: {e.details()}", file=sys.stderr)
            return 2
    return 0 if lodgment.state in ACCEPTED else 1


if __name__ == "__main__":
    sys.exit(main())
