/**
 * The one list of architecture names (`mlnc train --arch`, config.json's `train.arch`). A file of its own, free of
 * tfjs, so that the run-directory schema can name the architectures without loading a backend.
 */
export const ARCHS = ['resnet18', 'resnet50', 'vgg16', 'vgg19', 'resnet-small'] as const;
export type Arch = (typeof ARCHS)[number];
