/**
 * The record contract: what Sluice writes to its Kafka topics and reads back from them. Ingest,
 * the sink, the dead-letter tools, replay and the reconciliation ledger all meet here, so a
 * header is named once and read one way.
 */
package io.sluice.record;
