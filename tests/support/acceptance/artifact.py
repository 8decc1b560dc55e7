"""The tiny model every scenario deploys: a model.tar.gz for the SageMaker scikit-learn container whose answer is
its own label, so that an invocation tells which version the endpoint serves.

The container loads `model_fn` and the request handlers from the script SAGEMAKER_PROGRAM names, in the directory
SAGEMAKER_SUBMIT_DIRECTORY names ("The SageMaker Scikit-learn model server loads your model by invoking a
``model_fn`` function that you must provide in your script", SageMaker Python SDK, "Using Scikit-learn"). With
network isolation the code cannot be fetched from S3 at start, so it travels inside the artifact, under code/, as
the SDK packs it (`SAGEMAKER_SUBMIT_DIRECTORY` /opt/ml/model/code, where SageMaker unpacks model.tar.gz).
"""

from __future__ import annotations

import gzip
import io
import json
import tarfile

SCRIPT = "inference.py"
ENVIRONMENT = {"SAGEMAKER_PROGRAM": SCRIPT, "SAGEMAKER_SUBMIT_DIRECTORY": "/opt/ml/model/code"}
REQUEST_TYPE = "text/csv"
RESPONSE_TYPE = "application/json"
LABEL_FILE = "model.json"

INFERENCE_SCRIPT = '''\
"""Acceptance model: whatever it is sent, it answers the label it was packed with."""
import json
import os


def model_fn(model_dir):
    with open(os.path.join(model_dir, "model.json")) as labelled:
        return json.load(labelled)


def input_fn(request_body, request_content_type):
    return request_body


def predict_fn(input_data, model):
    return model["label"]


def output_fn(prediction, accept):
    return json.dumps({"label": prediction}), "application/json"
'''


def model_artifact(label: str) -> bytes:
    """model.tar.gz with model.json ({"label": label}) and code/inference.py, byte for byte the same for the same
    label (no times, owners or modes from this machine): the upload is reproducible."""
    members = {LABEL_FILE: json.dumps({"label": label}).encode(), f"code/{SCRIPT}": INFERENCE_SCRIPT.encode()}
    archive = io.BytesIO()
    with tarfile.open(fileobj=archive, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, content in sorted(members.items()):
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(content), 0o644, 0
            tar.addfile(info, io.BytesIO(content))
    return gzip.compress(archive.getvalue(), mtime=0)


def answer(label: str) -> dict[str, str]:
    """What an invocation of a model packed with `label` returns, decoded."""
    return {"label": label}
