package io.sluice.perf.e2e;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The targets {@code e2e --targets} can name. To add one, put its factory here under its {@link E2eTarget#name()}.
 */
final class E2eTargets
{
    /** Factories by name, in the order of the usage text. */
    static final Map<String, Supplier<E2eTarget>> REGISTRY;

    static
    {
        final Map<String, Supplier<E2eTarget>> registry = new LinkedHashMap<>();
        registry.put(SluiceTarget.UDP_NAME, () -> new SluiceTarget(false));
        registry.put(SluiceTarget.IPC_NAME, () -> new SluiceTarget(true));
        registry.put(SluiceReactiveTarget.UDP_NAME, () -> new SluiceReactiveTarget(false));
        registry.put(SluiceReactiveTarget.IPC_NAME, () -> new SluiceReactiveTarget(true));
        registry.put(SluiceClusterTarget.NAME, SluiceClusterTarget::new);
        registry.put(KafkaTarget.NAME, KafkaTarget::new);
        registry.put(KafkaTarget.CLUSTER_NAME, () -> new KafkaTarget(KafkaTarget.CLUSTER_BROKERS));
        registry.put(ChronicleTarget.NAME, ChronicleTarget::new);
        registry.put(AeronRawTarget.NAME, AeronRawTarget::new);
        REGISTRY = Collections.unmodifiableMap(registry);
    }

    private E2eTargets()
    {
    }
}
