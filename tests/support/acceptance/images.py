"""The public SageMaker scikit-learn inference image of a Region: the model the lane deploys runs in it.

AWS's "Docker Registry Paths and Example Code" pages list it per Region, e.g. for us-east-1 (Scikit-learn):
"683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:0.23-1-cpu-py3" as the output path of
`image_uris.retrieve(framework='sklearn', region='us-east-1', version='0.23-1', image_scope='inference')`.
The registry account differs per Region; the table is the SageMaker Python SDK's (image_uri_config/sklearn.json,
"inference", version 1.2-1), whose accounts are the ones those pages give.
"""

from __future__ import annotations

REPOSITORY = "sagemaker-scikit-learn"
VERSION = "1.2-1"
TAG = f"{VERSION}-cpu-py3"  # <version>-cpu-py3, as in the pages' example output path
REGISTRIES = {
    "af-south-1": "510948584623",
    "ap-east-1": "651117190479",
    "ap-northeast-1": "354813040037",
    "ap-northeast-2": "366743142698",
    "ap-northeast-3": "867004704886",
    "ap-south-1": "720646828776",
    "ap-south-2": "628508329040",
    "ap-southeast-1": "121021644041",
    "ap-southeast-2": "783357654285",
    "ap-southeast-3": "951798379941",
    "ap-southeast-4": "106583098589",
    "ca-central-1": "341280168497",
    "cn-north-1": "450853457545",
    "cn-northwest-1": "451049120500",
    "eu-central-1": "492215442770",
    "eu-central-2": "680994064768",
    "eu-north-1": "662702820516",
    "eu-south-1": "978288397137",
    "eu-south-2": "104374241257",
    "eu-west-1": "141502667606",
    "eu-west-2": "764974769150",
    "eu-west-3": "659782779980",
    "me-central-1": "272398656194",
    "me-south-1": "801668240914",
    "sa-east-1": "737474898029",
    "us-east-1": "683313688378",
    "us-east-2": "257758044811",
    "us-gov-east-1": "237065988967",
    "us-gov-west-1": "414596584902",
    "us-west-1": "746614075791",
    "us-west-2": "246618743249",
}


def sklearn_image(region: str) -> str | None:
    """The image URI, or None in a Region the table does not list."""
    account = REGISTRIES.get(region)
    if account is None:
        return None
    suffix = "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"
    return f"{account}.dkr.ecr.{region}.{suffix}/{REPOSITORY}:{TAG}"
