/**
 * The baseline of the `workflow` bench: bare firebase-admin `onSnapshot` listeners on the same
 * collections (two per user), which publish each modified task document's marker on one Redis
 * channel. No lease, no cache, no diff, no stream: the least a listener can do and still tell
 * someone. Prints "raw-listener ready" once every listener delivered its first snapshot.
 */
import { initializeApp } from 'firebase-admin/app';
import { getFirestore } from 'firebase-admin/firestore';
import { Redis } from 'ioredis';

const users = Number(process.env['BENCH_WF_USERS']);
const prefix = process.env['BENCH_WF_PREFIX'] ?? 'bench-wf';
const channel = process.env['BENCH_WF_RAW_CHANNEL'] ?? 'bench:raw';
const redis = new Redis({ host: process.env['REDIS_HOST'], port: Number(process.env['REDIS_PORT']) });
const firestore = getFirestore(initializeApp({ projectId: process.env['FIREBASE_PROJECT_ID'] }));

let attached = 0;
for (let index = 0; index < users; index += 1) {
  const uid = `${prefix}-${index}`;
  for (const collection of ['task_manager', 'notifications']) {
    let first = true;
    firestore.collection(`clients/${uid}/${collection}`).onSnapshot((snapshot) => {
      if (first) {
        first = false;
        attached += 1;
        if (attached === users * 2) process.stdout.write('raw-listener ready\n');
        return;
      }
      for (const change of snapshot.docChanges()) {
        if (change.type !== 'modified') continue;
        const marker = (change.doc.get('document.initial_data.invoiceReference') as string | undefined) ?? '';
        void redis.publish(channel, JSON.stringify({ uid, marker }));
      }
    });
  }
}
