package dev.fineturn.models.pytorch;

/** A tensor as {@code _rebuild_tensor_v2} describes it: a strided view into a storage, in elements. */
record TensorRef(StorageRef storage, long offset, long[] size, long[] stride) {
}
