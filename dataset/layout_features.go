package dataset

import (
	"context"

	"github.com/tome-data/tome/format/hf"
)

// maxInfoBytes bounds a dataset_info.json read over the network, as
// hf.ReadDatasetInfo bounds one read from disk.
const maxInfoBytes = 64 << 20

// layoutFeatures returns the features a split's description files record:
// the manifest's (which Open read already), else those of the split's
// dataset_info.json, local or remote (one request each call); nil when
// there are none or they cannot be read.
func (d *Dataset) layoutFeatures(sl *SplitLayout) *hf.Features {
	if m := d.layout.Manifest; m != nil {
		if ms, ok := m.Split(sl.Name); ok && len(ms.Features) > 0 {
			if f, err := hf.ParseFeatures(ms.Features); err == nil {
				return f
			}
		}
	}
	if sl.InfoFile == "" {
		return nil
	}
	var info *hf.DatasetInfo
	var err error
	if remoteScheme(sl.InfoFile) == schemeLocal {
		info, err = hf.ReadDatasetInfo(sl.InfoFile)
	} else {
		info, err = readRemoteInfo(sl.InfoFile, d.cfg)
	}
	if err != nil {
		return nil
	}
	return info.Features
}

// readRemoteInfo reads a dataset_info.json over http(s) or from the Hub.
func readRemoteInfo(uri string, cfg openConfig) (*hf.DatasetInfo, error) {
	ctx := context.Background()
	src, err := openSource(ctx, uri, cfg.remoteState(), false)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	data, err := readSource(ctx, src, maxInfoBytes)
	if err != nil {
		return nil, err
	}
	return hf.ParseDatasetInfo(data)
}
