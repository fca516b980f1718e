package io.sluice.transport.controller;

/**
 * One piece of cluster metadata as the controller hands it out: a broker, a topic, a partition's replicas and leader,
 * the removal of a topic, or an ACL added or removed. Each change the controller makes is one record that brings the metadata version up by
 * one; a full image is the same records.
 */
public sealed interface MetadataRecord permits BrokerInfo, TopicInfo, PartitionInfo, TopicRemoved, AclChange
{
}
