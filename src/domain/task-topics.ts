/** containerd's task topics. */
export const taskTopics = {
  create: '/tasks/create',
  start: '/tasks/start',
  exit: '/tasks/exit',
  delete: '/tasks/delete',
  oom: '/tasks/oom',
  execAdded: '/tasks/exec-added',
  execStarted: '/tasks/exec-started',
  paused: '/tasks/paused',
  resumed: '/tasks/resumed',
} as const;

/** Bookkeeping topics: intents, their failed outcomes, and taskledger-only facts. */
export const taskInternalTopics = {
  createIntent: '/taskledger/tasks/create-intent',
  createFailed: '/taskledger/tasks/create-failed',
  deleteIntent: '/taskledger/tasks/delete-intent',
  execDeleted: '/taskledger/tasks/exec-deleted',
  forgotten: '/taskledger/tasks/forgotten',
  updated: '/taskledger/tasks/updated',
} as const;
