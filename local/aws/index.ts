export {
  createAlertStateTable,
  createAlertTopic,
  createInbox,
  type Inbox,
  type InboxMessage,
  readInbox,
} from './resources';
export {
  type LocalAws,
  type LocalAwsOptions,
  type LocalClientConfig,
  type LocalService,
  LocalStateBusyError,
  lockStateDir,
  startLocalAws,
} from './startLocalAws';
