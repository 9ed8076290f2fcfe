import { describeWorkerAppLiveness } from '@suite/testing';

describeWorkerAppLiveness('task-worker');
