package io.sluice.connect;

import java.util.List;
import java.util.Map;

/**
 * A connector: reads its configuration, declares it ({@link #config()}), and splits its work into at most
 * {@code tasks.max} task configurations. The runtime creates one task per configuration. Called from the runtime's
 * thread only.
 */
public interface Connector
{
    /** @return the configuration the connector accepts; checked before {@link #start}. */
    ConfigDef config();

    /**
     * @param config the connector's properties, validated against {@link #config()}.
     */
    void start(Map<String, String> config);

    /** @return the task class this connector's tasks are made of. */
    Class<? extends Task> taskClass();

    /**
     * @param maxTasks {@code tasks.max}, at least 1.
     * @return one configuration per task to run, at most {@code maxTasks}, at least one.
     */
    List<Map<String, String>> taskConfigs(int maxTasks);

    /** Stop; tasks are stopped first. */
    void stop();
}
