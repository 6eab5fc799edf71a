package perceiver.tensor.opencl;

import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Device copies of host weights ({@link perceiver.tensor.PackedMatrix}, {@link perceiver.tensor.Tensor}) keyed by
 * the identity of the host object, held weakly: a weight is uploaded the first time a model uses it and kept for
 * as long as the model holds the host object; once that is collected the device copy is released.
 */
final class WeightCache {
    private final Map<Key, ClArray> map = new HashMap<>();
    private final ReferenceQueue<Object> collected = new ReferenceQueue<>();
    private long uploads;

    /** The device copy of {@code host}, uploaded by {@code upload} on first use. */
    synchronized ClArray get(Object host, Supplier<ClArray> upload) {
        expunge();
        ClArray a = map.get(new Key(host, null));
        if (a == null) {
            a = upload.get();
            uploads++;
            map.put(new Key(host, collected), a);
        }
        return a;
    }

    /** How many weights were uploaded so far (each once). */
    synchronized long uploads() { return uploads; }

    synchronized int size() {
        expunge();
        return map.size();
    }

    private void expunge() {
        for (Object k; (k = collected.poll()) != null; ) {
            ClArray a = map.remove(k);
            if (a != null) a.release();
        }
    }

    /** A weak reference compared by the identity of its referent. */
    private static final class Key extends WeakReference<Object> {
        private final int hash;

        Key(Object referent, ReferenceQueue<Object> queue) {
            super(referent, queue);
            hash = System.identityHashCode(referent);
        }

        @Override
        public int hashCode() { return hash; }

        @Override
        public boolean equals(Object o) {
            if (this == o) return true;
            if (!(o instanceof Key k)) return false;
            Object mine = get();
            return mine != null && mine == k.get();
        }
    }
}
