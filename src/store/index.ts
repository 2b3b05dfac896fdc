export * from './change-set';
export { Store, type StoreOptions, type ChangeSetListener } from './store';
