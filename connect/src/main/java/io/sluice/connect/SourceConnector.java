package io.sluice.connect;

/**
 * A connector that reads an external system into topics; its tasks are {@link SourceTask}s.
 */
public interface SourceConnector extends Connector
{
}
