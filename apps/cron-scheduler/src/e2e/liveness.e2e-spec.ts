import { describeWorkerAppLiveness } from '@suite/testing';

describeWorkerAppLiveness('cron-scheduler');
