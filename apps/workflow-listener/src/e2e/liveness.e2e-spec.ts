import { describeWorkerAppLiveness } from '@suite/testing';

describeWorkerAppLiveness('workflow-listener');
