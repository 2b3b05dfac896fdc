/** Tower's library API. */
export * from './envoy/type-urls';
export { envoyRoot, messageType, typeForUrl } from './envoy/proto-root';
export * from './xds/resource';
export * as api from './api';
export * as sources from './sources';
export * as store from './store';
export { KubeApi, apiPath, type Collection, type CollectionRef, type ListResult, type Selectors } from './k8s/kube-api';
export { describeKubeError, httpStatusOf } from './k8s/kube-errors';
export { loadKubeconfigFile, loadInCluster, type ClusterConfig } from './k8s/kubeconfig';
export { startTower, type Tower, type StartOptions } from './app/start-tower';
export { parseServeConfig, parseDumpConfig, ConfigError, type ServeConfig, type DumpConfig } from './config';
export { TowerMetrics } from './observability/metrics';
export { createLogger } from './observability/logger';
export { AdminServer } from './admin/admin-server';
export { Readiness } from './admin/readiness';
export { compileResource, decodeAndValidate, type CompileResult, type DecodeValidateResult } from './envoy/compile';
export { checkCrossReferences, pruneUntilConsistent, type CrossRefError, type CrossRefTable } from './envoy/cross-refs';
export { fromJson, toJson, encodeMessage, decodeStrict, type DecodeResult, type ProtoObject } from './envoy/json-codec';
export { validateMessage } from './envoy/validate-rules';
export { formatFieldErrors, type FieldError } from './envoy/field-error';
export type * from './model/types';
export { ModelBuilder, buildModel, type ObjectChange, type ModelDelta } from './model/model-builder';
export { parseYamlObjects, parseObject, type InputObject, type TowerObject } from './model/inputs';
export { validate } from './model/validate';
export { roleFromNode, roleFromFlag, viewKey, type ClientRole, type RoleKind, type InterceptionMode } from './model/roles';
export { MeshTranslator, type UpdateResult, type MeshTranslatorOptions } from './pipeline/mesh-translator';
export { translateAll } from './pipeline/translate-all';
export { dumpConfig, type ConfigDump } from './pipeline/dump-config';
export type { TranslationError, ViewUpdate, ViewResult, ResourceId } from './pipeline/types';
export type { Compiler, CompileFn, CrossRefFn } from './pipeline/compiler';
/** The xDS server (ADS + per-type discovery, SotW and delta, CSDS); see docs/xds-server.md. */
export { XdsServer } from './xds/server';
export type { NodeInfo, ClientStatus, TypeStatus, XdsServerOptions, XdsServerEvents, PushEvent, AckEvent, NackEvent, DebounceEvent } from './xds/server';
export { realClock, type Clock, type TimerHandle } from './xds/clock';
export { shouldRespond, shouldPush, classifyDelta, type Subscription, type Decision } from './xds/should-respond';
export { warmUpTranslation } from './pipeline/warm-up';
export type { StreamRef } from './xds/types';
/** The mesh CA (docs/mtls.md). */
export * as meshCa from './mesh-ca';
export { mtlsSettings, mtlsSettingsOf, defaultMtlsMode, type MtlsSettings } from './config/mtls-settings';
/** Object status: conditions per Tower object, ACK/NACK tracking (docs/status.md). */
export { ObjectStatusReporter, type ObjectStatus, type ConditionSink } from './app/status-reporter';
export { ProgrammedTracker, type ObjectProgress, type Rejection } from './app/programmed-tracker';
export { objectConditions, type ObjectStatusInputs } from './app/object-status';
