#!/usr/bin/env python3
"""Translates a SAM template to CloudFormation offline with aws-sam-translator, as
`sam deploy` would before creating the stack, and prints the resources it produced.

usage: sam-translate.py template.yaml

Exits 1 with the translator's messages when the template is not valid SAM. Managed policy
names are not looked up (no AWS account here): the generated templates name none.
"""
import json
import os
import sys

import yaml
from samtranslator.model.exceptions import InvalidDocumentException
from samtranslator.translator.transform import transform


class NoManagedPolicies:
    """The managed-policy loader sam deploy uses asks IAM; these templates need no lookup."""

    def load(self):
        return {}


def main(path):
    # The pseudo parameters (AWS::Region) need a region; the translation does not depend on it.
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    with open(path, encoding="utf-8") as f:
        template = yaml.safe_load(f)
    # `sam deploy` uploads a local CodeUri (function.zip) and rewrites it to the S3 object before
    # translating; do the same rewrite, without the upload.
    for resource in template.get("Resources", {}).values():
        properties = resource.get("Properties") or {}
        code = properties.get("CodeUri")
        if resource.get("Type") == "AWS::Serverless::Function" and isinstance(code, str) and not code.startswith("s3://"):
            properties["CodeUri"] = f"s3://sam-package-bucket/{os.path.basename(code)}"
    try:
        translated = transform(template, {}, NoManagedPolicies())
    except InvalidDocumentException as e:
        for cause in e.causes:
            print(f"{path}: {cause.message}", file=sys.stderr)
        return 1
    resources = translated.get("Resources", {})
    for name in sorted(resources):
        print(f"{name}: {resources[name]['Type']}")
    json.dumps(translated)  # the result must be plain JSON-able CloudFormation
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
