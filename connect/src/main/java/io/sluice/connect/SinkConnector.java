package io.sluice.connect;

/**
 * A connector that writes topics to an external system; its tasks are {@link SinkTask}s. The runtime reads the
 * topics named by {@code topics} in the consumer group {@code connect-<name>}.
 */
public interface SinkConnector extends Connector
{
}
