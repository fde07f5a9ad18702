// Validates a Knative Serving Service (service.yaml) against the serving.knative.dev/v1 schema,
// offline, with @kubernetes-models/knative (npm), whose models carry Knative's CRD schema.
//
// usage: NODE_PATH=<dir with node_modules> node validate-knative.cjs service.yaml
// Prints "valid" or the schema errors (with the field path) and exits 1.
const fs = require("fs");
const yaml = require("js-yaml");
const { Service } = require("@kubernetes-models/knative/serving.knative.dev/v1/Service");

const path = process.argv[2];
const doc = yaml.load(fs.readFileSync(path, "utf8"));
try {
  new Service(doc).validate();
  console.log(`${path}: valid serving.knative.dev/v1 Service`);
} catch (e) {
  console.error(`${path}: ${e.message}`);
  for (const err of e.errors || []) {
    console.error(`  ${err.instancePath || "/"}: ${err.message}`);
  }
  process.exit(1);
}
