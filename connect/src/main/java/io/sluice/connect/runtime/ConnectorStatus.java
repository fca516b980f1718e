package io.sluice.connect.runtime;

import java.util.List;

/**
 * A connector's state as the status endpoint shows it.
 *
 * @param name      the connector.
 * @param type      source or sink.
 * @param state     RUNNING, FAILED (a task failed) or STOPPED.
 * @param tasks     its tasks.
 */
public record ConnectorStatus(String name, String type, String state, List<TaskStatus> tasks)
{
}
