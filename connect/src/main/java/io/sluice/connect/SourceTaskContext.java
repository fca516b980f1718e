package io.sluice.connect;

import java.util.Map;

/**
 * What the runtime offers a source task.
 */
public interface SourceTaskContext
{
    /**
     * The offset stored for a source partition of this connector: where the task should resume.
     *
     * @param sourcePartition as in the task's records.
     * @return the last offset stored, or null if none.
     */
    Map<String, Object> offset(Map<String, ?> sourcePartition);
}
