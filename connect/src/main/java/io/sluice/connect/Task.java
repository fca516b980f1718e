package io.sluice.connect;

import java.util.Map;

/**
 * A unit of a connector's work, run on a thread of its own by the runtime: {@link SourceTask} or {@link SinkTask}.
 */
public interface Task
{
    /**
     * @param config the configuration its connector gave it.
     */
    void start(Map<String, String> config);

    /** Stop: release what it holds. Called on the task's thread after its last poll or put. */
    void stop();
}
