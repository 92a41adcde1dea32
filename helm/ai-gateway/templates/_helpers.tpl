{{/*
Names and labels. Component-scoped helpers take a dict: (dict "root" $ "component" "router").
*/}}

{{- define "ai-gateway.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "ai-gateway.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "ai-gateway.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Name of a component's objects: <fullname>-<component>. */}}
{{- define "ai-gateway.componentName" -}}
{{- printf "%s-%s" (include "ai-gateway.fullname" .root) .component | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Selector labels: never the version or the chart (spec.selector is immutable). */}}
{{- define "ai-gateway.selectorLabels" -}}
app.kubernetes.io/name: {{ include "ai-gateway.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- with .component }}
app.kubernetes.io/component: {{ . }}
{{- end }}
{{- end }}

{{/* Standard labels of every object. */}}
{{- define "ai-gateway.labels" -}}
helm.sh/chart: {{ include "ai-gateway.chart" .root }}
{{ include "ai-gateway.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/part-of: ai-gateway
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
{{- with .root.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Name of the Secret holding the admin token. */}}
{{- define "ai-gateway.secretName" -}}
{{- default (printf "%s-auth" (include "ai-gateway.fullname" .)) .Values.auth.existingSecret }}
{{- end }}

{{/* The Secret holding one internal caller's own service credential: (dict "root" $ "identity" "router"). */}}
{{- define "ai-gateway.credentialSecretName" -}}
{{- printf "%s-%s-credential" (include "ai-gateway.fullname" .root) .identity | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The Secret holding SERVICE_CALLERS (digests only) that every gRPC server reads. */}}
{{- define "ai-gateway.callersSecretName" -}}
{{- printf "%s-service-callers" (include "ai-gateway.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Service account name of a component. */}}
{{- define "ai-gateway.serviceAccountName" -}}
{{- $svc := index .root.Values.services .component }}
{{- if $svc.serviceAccount.create }}
{{- default (include "ai-gateway.componentName" .) $svc.serviceAccount.name }}
{{- else }}
{{- default "default" $svc.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* Image of a component: services.<c>.image overrides, else the one image <registry>/<repository>:<tag> (APP picks the service). */}}
{{- define "ai-gateway.image" -}}
{{- $svc := index .root.Values.services .component }}
{{- $img := .root.Values.image }}
{{- $repo := default $img.repository $svc.image.repository }}
{{- $tag := default (default .root.Chart.AppVersion $img.tag) $svc.image.tag }}
{{- if $img.registry }}
{{- printf "%s/%s:%s" $img.registry $repo $tag }}
{{- else }}
{{- printf "%s:%s" $repo $tag }}
{{- end }}
{{- end }}

{{/*
true when a component is rendered. An adapter app is rendered only for a kind in service mode
(adapters.<kind>.mode: service; embedded kinds run inside the router), and can be switched off
with services.<c>.enabled.
*/}}
{{- define "ai-gateway.enabled" -}}
{{- $svc := index .root.Values.services .component | default dict }}
{{- $kind := trimPrefix "adapter-" .component }}
{{- $isAdapter := hasPrefix "adapter-" .component }}
{{- $mode := dig $kind "mode" "embedded" (.root.Values.adapters | default dict) }}
{{- if and (dig "enabled" true $svc) (or (not $isAdapter) (eq $mode "service")) }}true{{ end }}
{{- end }}

{{/* true when some provider kind runs inside the router (adapters.<kind>.mode: embedded): the router then calls providers itself. */}}
{{- define "ai-gateway.adaptersEmbedded" -}}
{{- range $kind, $a := .Values.adapters }}{{ if eq (dig "mode" "embedded" $a) "embedded" }}true{{ end }}{{ end }}
{{- end }}

{{/* host:port of a component's gRPC port, as the services read it (ROUTER_URL, ADAPTER_URLS, ...). */}}
{{- define "ai-gateway.address" -}}
{{- printf "%s:%v" (include "ai-gateway.componentName" .) .port }}
{{- end }}

{{/*
The components and their ports, the single source of truth for Deployments, Services,
probes and NetworkPolicies. `from` lists the components allowed to call a port; `public`
marks the HTTP port reached from outside; `internet` lets a component reach HTTPS endpoints.
*/}}
{{- define "ai-gateway.components" -}}
ingress:
  probe: http
  ports:
    - { name: http, port: 8080, public: true, appProtocol: http }
router:
  probe: grpc
  probePort: 50051
  internet: {{ ne (include "ai-gateway.adaptersEmbedded" .) "" }}
  ports:
    - { name: grpc, port: 50051, from: [ingress], appProtocol: kubernetes.io/h2c }
config:
  probe: grpc
  probePort: 50052
  ports:
    - { name: grpc, port: 50052, from: [ingress, router], appProtocol: kubernetes.io/h2c }
key-vault:
  probe: grpc
  probePort: 50053
  internet: {{ eq .Values.kms.provider "aws" }}
  ports:
    - { name: grpc-admin, port: 50053, from: [ingress], appProtocol: kubernetes.io/h2c }
    - { name: grpc-resolve, port: 50054, from: [router], appProtocol: kubernetes.io/h2c }
analytics:
  probe: grpc
  probePort: 50055
  ports:
    - { name: grpc, port: 50055, from: [ingress], appProtocol: kubernetes.io/h2c }
adapter-openai:
  probe: grpc
  probePort: 50061
  adapter: openai
  internet: true
  ports:
    - { name: grpc, port: 50061, from: [router], appProtocol: kubernetes.io/h2c }
adapter-anthropic:
  probe: grpc
  probePort: 50062
  adapter: anthropic
  internet: true
  ports:
    - { name: grpc, port: 50062, from: [router], appProtocol: kubernetes.io/h2c }
adapter-gemini:
  probe: grpc
  probePort: 50063
  adapter: gemini
  kinds: [gemini, vertex]
  internet: true
  ports:
    - { name: grpc, port: 50063, from: [router], appProtocol: kubernetes.io/h2c }
adapter-bedrock:
  probe: grpc
  probePort: 50064
  adapter: bedrock
  internet: true
  ports:
    - { name: grpc, port: 50064, from: [router], appProtocol: kubernetes.io/h2c }
adapter-azure-openai:
  probe: grpc
  probePort: 50065
  adapter: azure-openai
  internet: true
  ports:
    - { name: grpc, port: 50065, from: [router], appProtocol: kubernetes.io/h2c }
{{- end }}

{{/* A component's port number by name: (dict "root" $ "component" "key-vault" "name" "grpc-resolve"). */}}
{{- define "ai-gateway.port" -}}
{{- $c := index (include "ai-gateway.components" .root | fromYaml) .component }}
{{- range $c.ports }}{{ if eq .name $.name }}{{ .port }}{{ end }}{{ end }}
{{- end }}

{{/*
Where a caller reaches a component's gRPC port: its Service (host:port) when it runs one pod; its
headless Service through DNS (dns:///<name>-headless.<namespace>.svc:<port>) when it runs more, so
the caller's gRPC channel spreads calls over every ready pod by round robin instead of pinning one
long-lived HTTP/2 connection to a single pod behind a ClusterIP.
*/}}
{{- define "ai-gateway.grpcAddress" -}}
{{- if include "ai-gateway.multiReplica" . }}
{{- printf "dns:///%s-headless.%s.svc:%v" (include "ai-gateway.componentName" .) .root.Release.Namespace (include "ai-gateway.port" .) }}
{{- else }}
{{- include "ai-gateway.address" (dict "root" .root "component" .component "port" (include "ai-gateway.port" .)) }}
{{- end }}
{{- end }}

{{/* KV bucket and stream replicas (nats.jetstreamReplicas): 3 on a three-node JetStream cluster. */}}
{{- define "ai-gateway.env.jetstreamReplicas" -}}
- name: {{ .name }}
  value: {{ .root.Values.nats.jetstreamReplicas | int | quote }}
{{- end }}

{{/* Environment shared by every service. */}}
{{- define "ai-gateway.env.common" -}}
- name: APP
  value: {{ .component | quote }}
- name: METRICS_PORT
  value: {{ .root.Values.metrics.port | quote }}
- name: LOG_LEVEL
  value: {{ .root.Values.logLevel | quote }}
- name: DRAIN_GRACE_MS
  value: {{ mul .root.Values.drain.graceSeconds 1000 | quote }}
- name: DRAIN_TIMEOUT_MS
  value: {{ mul .root.Values.drain.timeoutSeconds 1000 | quote }}
{{- end }}

{{- define "ai-gateway.env.nats" -}}
- name: NATS_URL
{{- if .root.Values.nats.existingSecret }}
  valueFrom:
    secretKeyRef:
      name: {{ .root.Values.nats.existingSecret }}
      key: {{ .root.Values.nats.existingSecretKey }}
{{- else }}
  value: {{ .root.Values.nats.url | quote }}
{{- end }}
{{- end }}

{{/* A caller's own credential, from its own Secret (ingress and router only). */}}
{{- define "ai-gateway.env.serviceCredential" -}}
- name: SERVICE_CREDENTIAL
  valueFrom:
    secretKeyRef:
      name: {{ include "ai-gateway.credentialSecretName" (dict "root" .root "identity" .component) }}
      key: credential
{{- end }}

{{/* What every gRPC server accepts: the callers' credential digests. */}}
{{- define "ai-gateway.env.serviceCallers" -}}
- name: SERVICE_CALLERS
  valueFrom:
    secretKeyRef:
      name: {{ include "ai-gateway.callersSecretName" .root }}
      key: callers
{{- end }}

{{- define "ai-gateway.env.ingress" -}}
{{- $r := .root }}
- name: PORT
  value: "8080"
- name: ADMIN_TOKEN
  valueFrom:
    secretKeyRef:
      name: {{ include "ai-gateway.secretName" $r }}
      key: {{ $r.Values.auth.adminTokenKey }}
{{ include "ai-gateway.env.serviceCredential" . }}
- name: ROUTER_URL
  value: {{ include "ai-gateway.grpcAddress" (dict "root" $r "component" "router" "name" "grpc") | quote }}
- name: CONFIG_URL
  value: {{ include "ai-gateway.grpcAddress" (dict "root" $r "component" "config" "name" "grpc") | quote }}
- name: KEY_VAULT_ADMIN_URL
  value: {{ include "ai-gateway.grpcAddress" (dict "root" $r "component" "key-vault" "name" "grpc-admin") | quote }}
- name: ANALYTICS_URL
  value: {{ include "ai-gateway.grpcAddress" (dict "root" $r "component" "analytics" "name" "grpc") | quote }}
- name: MAX_BODY_BYTES
  value: {{ $r.Values.services.ingress.maxBodyBytes | int64 | quote }}
- name: MAX_INFLIGHT_REQUESTS
  value: {{ $r.Values.services.ingress.maxInflightRequests | int64 | quote }}
- name: TRUST_PROXY
  value: {{ $r.Values.services.ingress.trustProxy | toString | quote }}
{{ include "ai-gateway.env.nats" . }}
{{ include "ai-gateway.env.jetstreamReplicas" (dict "root" $r "name" "KV_REPLICAS") }}
{{- end }}

{{- define "ai-gateway.env.router" -}}
{{- $r := .root }}
{{- $adapters := list }}
{{- range $name, $c := include "ai-gateway.components" $r | fromYaml }}
{{- if and $c.adapter (include "ai-gateway.enabled" (dict "root" $r "component" $name)) }}
{{- $address := include "ai-gateway.grpcAddress" (dict "root" $r "component" $name "name" "grpc") }}
{{- range ($c.kinds | default (list $c.adapter)) }}
{{- $adapters = append $adapters (printf "%s=%s" . $address) }}
{{- end }}
{{- end }}
{{- end }}
- name: GRPC_PORT
  value: {{ include "ai-gateway.port" (dict "root" $r "component" "router" "name" "grpc") | quote }}
- name: CONFIG_URL
  value: {{ include "ai-gateway.grpcAddress" (dict "root" $r "component" "config" "name" "grpc") | quote }}
- name: KEY_VAULT_RESOLVE_URL
  value: {{ include "ai-gateway.grpcAddress" (dict "root" $r "component" "key-vault" "name" "grpc-resolve") | quote }}
- name: ADAPTER_URLS
  value: {{ join "," $adapters | quote }}
- name: RETRY_AFTER_MAX_MS
  value: {{ $r.Values.services.router.retryAfterMaxMs | int64 | quote }}
{{ include "ai-gateway.env.nats" . }}
{{ include "ai-gateway.env.serviceCredential" . }}
{{ include "ai-gateway.env.serviceCallers" . }}
{{- end }}

{{- define "ai-gateway.env.config" -}}
{{- $r := .root }}
{{- $urls := (index $r.Values.services "config").providerBaseUrls }}
- name: GRPC_PORT
  value: {{ include "ai-gateway.port" (dict "root" $r "component" "config" "name" "grpc") | quote }}
{{ include "ai-gateway.env.nats" . }}
{{ include "ai-gateway.env.jetstreamReplicas" (dict "root" $r "name" "KV_REPLICAS") }}
{{ include "ai-gateway.env.serviceCallers" . }}
{{- if $r.Values.routing.policies }}
- name: ROUTING_POLICIES_FILE
  value: /etc/ai-gateway/routing/policies.json
{{- end }}
{{- with (index $r.Values.services "config").providerHostAllowlist }}
- name: PROVIDER_HOST_ALLOWLIST
  value: {{ join "," . | quote }}
{{- end }}
{{- with $urls.openai }}
- name: OPENAI_BASE_URL
  value: {{ . | quote }}
{{- end }}
{{- with $urls.anthropic }}
- name: ANTHROPIC_BASE_URL
  value: {{ . | quote }}
{{- end }}
{{- end }}

{{- define "ai-gateway.env.key-vault" -}}
{{- $r := .root }}
{{- $kms := $r.Values.kms }}
- name: ADMIN_GRPC_PORT
  value: {{ include "ai-gateway.port" (dict "root" $r "component" "key-vault" "name" "grpc-admin") | quote }}
- name: RESOLVE_GRPC_PORT
  value: {{ include "ai-gateway.port" (dict "root" $r "component" "key-vault" "name" "grpc-resolve") | quote }}
{{ include "ai-gateway.env.nats" . }}
{{ include "ai-gateway.env.jetstreamReplicas" (dict "root" $r "name" "KV_REPLICAS") }}
{{ include "ai-gateway.env.serviceCallers" . }}
- name: KMS_PROVIDER
  value: {{ $kms.provider | quote }}
{{- if eq $kms.provider "aws" }}
- name: KMS_KEY_ID
  value: {{ required "kms.keyId is required when kms.provider is aws" $kms.keyId | quote }}
- name: AWS_REGION
  value: {{ required "kms.region is required when kms.provider is aws" $kms.region | quote }}
{{- with $kms.endpoint }}
- name: AWS_ENDPOINT_URL_KMS
  value: {{ . | quote }}
{{- end }}
{{- end }}
- name: GATEWAY_DATA_DIR
  value: /data
{{- end }}

{{- define "ai-gateway.env.analytics" -}}
- name: GRPC_PORT
  value: {{ include "ai-gateway.port" (dict "root" .root "component" "analytics" "name" "grpc") | quote }}
{{ include "ai-gateway.env.nats" . }}
{{ include "ai-gateway.env.jetstreamReplicas" (dict "root" .root "name" "USAGE_STREAM_REPLICAS") }}
{{ include "ai-gateway.env.serviceCallers" . }}
{{- end }}

{{- define "ai-gateway.env.adapter-openai" -}}
- name: GRPC_PORT
  value: {{ include "ai-gateway.port" (dict "root" .root "component" "adapter-openai" "name" "grpc") | quote }}
{{ include "ai-gateway.env.serviceCallers" . }}
{{- end }}

{{- define "ai-gateway.env.adapter-bedrock" -}}
- name: GRPC_PORT
  value: {{ include "ai-gateway.port" (dict "root" .root "component" "adapter-bedrock" "name" "grpc") | quote }}
{{ include "ai-gateway.env.serviceCallers" . }}
{{- end }}

{{- define "ai-gateway.env.adapter-azure-openai" -}}
- name: GRPC_PORT
  value: {{ include "ai-gateway.port" (dict "root" .root "component" "adapter-azure-openai" "name" "grpc") | quote }}
{{ include "ai-gateway.env.serviceCallers" . }}
{{- end }}

{{- define "ai-gateway.env.adapter-gemini" -}}
- name: GRPC_PORT
  value: {{ include "ai-gateway.port" (dict "root" .root "component" "adapter-gemini" "name" "grpc") | quote }}
{{ include "ai-gateway.env.serviceCallers" . }}
{{- end }}

{{- define "ai-gateway.env.adapter-anthropic" -}}
- name: GRPC_PORT
  value: {{ include "ai-gateway.port" (dict "root" .root "component" "adapter-anthropic" "name" "grpc") | quote }}
{{ include "ai-gateway.env.serviceCallers" . }}
{{- end }}

{{/* Whether a component runs more than one pod (then it gets a PodDisruptionBudget). */}}
{{- /*
Replicas of a component without autoscaling: replicaCount, except key-vault with the local KMS
backend, whose master key file is per pod (keys sealed by one pod could not be opened by another):
one replica there, whatever replicaCount says.
*/ -}}
{{- define "ai-gateway.replicas" -}}
{{- $svc := index .root.Values.services .component }}
{{- if and (eq .component "key-vault") (eq .root.Values.kms.provider "local") }}1{{ else }}{{ $svc.replicaCount }}{{ end }}
{{- end }}

{{- define "ai-gateway.multiReplica" -}}
{{- $svc := index .root.Values.services .component }}
{{- if dig "autoscaling" "enabled" false $svc }}
{{- if gt (int $svc.autoscaling.minReplicas) 1 }}true{{ end }}
{{- else if gt (int (include "ai-gateway.replicas" .)) 1 }}true{{ end }}
{{- end }}
