package dev.fineturn.models.pytorch;

import dev.fineturn.models.format.ElementType;

/** A storage named by a persistent id: its bytes live in the zip entry {@code data/<key>}. */
record StorageRef(ElementType type, String key, long numel) {
}
