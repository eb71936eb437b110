{{/*
Expand the name of the chart.
*/}}
{{- define "sluice.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Create a default fully qualified app name, truncated at 63 characters because some Kubernetes
name fields are limited to that (by the DNS naming spec). If the release name contains the
chart name it is used as the full name.
*/}}
{{- define "sluice.fullname" -}}
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

{{/*
Create chart name and version as used by the chart label.
*/}}
{{- define "sluice.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Common labels
*/}}
{{- define "sluice.labels" -}}
helm.sh/chart: {{ include "sluice.chart" . }}
{{ include "sluice.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: sluice
{{- end }}

{{/*
Selector labels: never change them in an upgrade, a Deployment's selector is immutable.
*/}}
{{- define "sluice.selectorLabels" -}}
app.kubernetes.io/name: {{ include "sluice.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
Create the name of the service account to use
*/}}
{{- define "sluice.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "sluice.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
The image reference: registry/repository, then the digest if one is given (it pins the
rollout), else the tag, which defaults to "<appVersion>-<flavor>".
*/}}
{{- define "sluice.image" -}}
{{- $repository := .Values.image.repository }}
{{- if .Values.image.registry }}
{{- $repository = printf "%s/%s" .Values.image.registry .Values.image.repository }}
{{- end }}
{{- if .Values.image.digest }}
{{- printf "%s@%s" $repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" $repository (default (printf "%s-%s" .Chart.AppVersion .Values.image.flavor) .Values.image.tag) }}
{{- end }}
{{- end }}

{{/*
A topic config value as YAML. Helm reads every number as float64, and printing a float64
gives 6.048e+08 for 604800000, which Kafka rejects; whole numbers are printed as integers.
*/}}
{{- define "sluice.topicConfigValue" -}}
{{- if and (kindIs "float64" .) (eq . (float64 (int64 .))) }}
{{- int64 . }}
{{- else }}
{{- toJson . }}
{{- end }}
{{- end }}

{{/*
Fail the rendering on combinations the schema cannot express.
*/}}
{{- define "sluice.validate" -}}
{{- if and .Values.autoscaling.enabled (gt (int .Values.autoscaling.minReplicas) (int .Values.autoscaling.maxReplicas)) }}
{{- fail "autoscaling.minReplicas must not exceed autoscaling.maxReplicas" }}
{{- end }}
{{- if and .Values.podDisruptionBudget.enabled (hasKey .Values.podDisruptionBudget "minAvailable") }}
{{- $minAvailable := .Values.podDisruptionBudget.minAvailable }}
{{- $floor := ternary .Values.autoscaling.minReplicas .Values.replicaCount .Values.autoscaling.enabled }}
{{- if and (not (kindIs "string" $minAvailable)) (ge (int $minAvailable) (int $floor)) }}
{{- fail "podDisruptionBudget.minAvailable must be below the replica count (autoscaling.minReplicas with autoscaling), or no node could ever be drained" }}
{{- end }}
{{- end }}
{{- if .Values.kafkaTopics.enabled }}
{{- range $key := list "events" "deadLetter" "alerts" }}
{{- $topic := index $.Values.kafkaTopics $key }}
{{- if ge (int $topic.minInsyncReplicas) (int $topic.replicas) }}
{{- fail (printf "kafkaTopics.%s.minInsyncReplicas must be below its replicas, or one broker down stops every write" $key) }}
{{- end }}
{{- end }}
{{- if ne .Values.kafkaTopics.events.name .Values.config.topics.events }}
{{- fail "kafkaTopics.events.name must equal config.topics.events" }}
{{- end }}
{{- if ne .Values.kafkaTopics.deadLetter.name .Values.config.topics.deadLetter }}
{{- fail "kafkaTopics.deadLetter.name must equal config.topics.deadLetter" }}
{{- end }}
{{- if ne .Values.kafkaTopics.alerts.name .Values.config.topics.alerts }}
{{- fail "kafkaTopics.alerts.name must equal config.topics.alerts" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
A memory quantity (Mi, Gi, M, G or bytes) in MiB, rounded down; used for warnings only.
*/}}
{{- define "sluice.memoryMiB" -}}
{{- $q := toString . }}
{{- if hasSuffix "Gi" $q }}{{ mul (trimSuffix "Gi" $q | int) 1024 }}
{{- else if hasSuffix "Mi" $q }}{{ trimSuffix "Mi" $q | int }}
{{- else if hasSuffix "G" $q }}{{ div (mul (trimSuffix "G" $q | int64) 1000000000) 1048576 }}
{{- else if hasSuffix "M" $q }}{{ div (mul (trimSuffix "M" $q | int64) 1000000) 1048576 }}
{{- else }}{{ div ($q | int64) 1048576 }}
{{- end }}
{{- end }}

{{/*
Environment variables from referenced Secrets, and the JVM settings for the jvm flavors.
Everything else comes from the ConfigMap.
*/}}
{{- define "sluice.env" -}}
{{- with .Values.secrets.datasource }}
{{- if .existingSecret }}
- name: QUARKUS_DATASOURCE_USERNAME
  valueFrom:
    secretKeyRef:
      name: {{ .existingSecret }}
      key: {{ .usernameKey }}
- name: QUARKUS_DATASOURCE_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ .existingSecret }}
      key: {{ .passwordKey }}
{{- end }}
{{- end }}
{{- with .Values.secrets.redis }}
{{- if .existingSecret }}
- name: QUARKUS_REDIS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ .existingSecret }}
      key: {{ .passwordKey }}
{{- end }}
{{- end }}
{{- with .Values.secrets.kafka }}
{{- if .existingSecret }}
- name: KAFKA_SASL_JAAS_CONFIG
  valueFrom:
    secretKeyRef:
      name: {{ .existingSecret }}
      key: {{ .jaasConfigKey }}
{{- end }}
{{- end }}
{{- with .Values.secrets.bootstrapAdminKey }}
{{- if .existingSecret }}
- name: SLUICE_SECURITY_BOOTSTRAP_ADMIN_KEY
  valueFrom:
    secretKeyRef:
      name: {{ .existingSecret }}
      key: {{ .key }}
{{- end }}
{{- end }}
{{- if ne .Values.image.flavor "native" }}
- name: JAVA_OPTS_APPEND
  value: {{ printf "%s %s" (include "sluice.jvmBaseOptions" .) .Values.jvm.options | trim | quote }}
{{- end }}
{{- end }}

{{/*
The JVM options the JVM images set themselves (src/main/docker/Dockerfile.jvm and
Dockerfile.jvm-aot, whose cache is named here too): setting JAVA_OPTS_APPEND replaces them, so
they are repeated here before the chart's own.
*/}}
{{- define "sluice.jvmBaseOptions" -}}
-Dquarkus.http.host=0.0.0.0 -Djava.util.logging.manager=org.jboss.logmanager.LogManager
{{- if eq .Values.image.flavor "jvm-aot" }} -XX:AOTCache=app.aot{{ end }}
{{- end }}

{{/*
What every container of the `helm test` pod shares: unprivileged, read-only, small.
*/}}
{{- define "sluice.testContainer" -}}
securityContext:
  allowPrivilegeEscalation: false
  readOnlyRootFilesystem: true
  capabilities:
    drop:
      - ALL
resources:
  requests:
    cpu: 10m
    memory: 16Mi
  limits:
    memory: 64Mi
{{- end }}
