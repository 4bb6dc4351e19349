{{- define "corpcare.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "corpcare.fullname" -}}
{{- if contains .Chart.Name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{- define "corpcare.selectorLabels" -}}
app.kubernetes.io/name: {{ include "corpcare.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "corpcare.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "corpcare.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "corpcare.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "corpcare.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "corpcare.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end }}

{{/* The embedded demo (SQLite in the pod) when no database is given. */}}
{{- define "corpcare.embedded" -}}
{{- if not (or .Values.database.existingSecret .Values.database.crmUrl .Values.database.billingUrl .Values.database.stateUrl) }}true{{ end }}
{{- end }}

{{/* A value of the chart's Secret: the one given, else the one already stored, else a new random one. */}}
{{- define "corpcare.secretValue" -}}
{{- $given := index . 1 -}}
{{- if $given -}}
{{- $given | b64enc -}}
{{- else -}}
{{- $root := index . 0 -}}
{{- $stored := lookup "v1" "Secret" $root.Release.Namespace (include "corpcare.fullname" $root) -}}
{{- if and $stored (hasKey $stored.data (index . 2)) -}}
{{- index $stored.data (index . 2) -}}
{{- else -}}
{{- randAlphaNum 48 | b64enc -}}
{{- end -}}
{{- end -}}
{{- end }}
