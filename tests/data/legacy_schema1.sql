-- A database made by controlmap before Alembic (schema_version 1), by the code of main at
-- 827b698: init --no-demo, two approved claims and one pending claim (tests/test_migrations.py).
PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE meta (
	"key" VARCHAR(64) NOT NULL, 
	value TEXT NOT NULL, 
	PRIMARY KEY ("key")
);
INSERT INTO meta VALUES('schema_version','1');
INSERT INTO meta VALUES('data_version','4');
CREATE TABLE actors (
	id VARCHAR(64) NOT NULL, 
	name VARCHAR(200) NOT NULL, 
	aliases TEXT NOT NULL, 
	colour VARCHAR(7) NOT NULL, 
	kind VARCHAR(32) NOT NULL, 
	PRIMARY KEY (id)
);
INSERT INTO actors VALUES('isil','Islamic State (ISIL)','["AQI", "ISI", "ISIL", "ISIS", "IS", "Islamic State", "Daesh", "Daash", "DAESH", "al-Qaeda in Iraq", "Islamic State of Iraq and the Levant", "Islamic State of Iraq"]','#D55E00','non-state');
INSERT INTO actors VALUES('iraq-gov','Iraqi government forces','["Iraqi government", "Iraqi security forces", "ISF", "Iraqi army", "Counter-Terrorism Service", "CTS", "Popular Mobilization", "PMF"]','#0072B2','state');
INSERT INTO actors VALUES('krg','Kurdistan Regional Government (Peshmerga)','["Peshmerga", "KRG", "Kurdish forces"]','#009E73','state');
INSERT INTO actors VALUES('tribal','Anti-government tribal militants','["tribal militants"]','#E69F00','non-state');
INSERT INTO actors VALUES('syria-gov','Syrian government','["Syrian Arab Army", "SAA", "Syrian army"]','#CC79A7','state');
INSERT INTO actors VALUES('sdf','Syrian Democratic Forces','["SDF", "YPG"]','#F0E442','non-state');
CREATE TABLE sources (
	id INTEGER NOT NULL, 
	title TEXT NOT NULL, 
	publisher TEXT NOT NULL, 
	author TEXT NOT NULL, 
	url TEXT, 
	published VARCHAR(10), 
	accessed VARCHAR(10), 
	archive_url TEXT, 
	language VARCHAR(20) NOT NULL, 
	grade VARCHAR(1), 
	PRIMARY KEY (id)
);
INSERT INTO sources VALUES(1,'A report','Example','','https://example.org/r','2014-01-02',NULL,NULL,'',NULL);
CREATE TABLE claims (
	id INTEGER NOT NULL, 
	actor_id VARCHAR(64) NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	extent VARCHAR(16) NOT NULL, 
	geometry BLOB NOT NULL, 
	minx FLOAT NOT NULL, 
	miny FLOAT NOT NULL, 
	maxx FLOAT NOT NULL, 
	maxy FLOAT NOT NULL, 
	observed_on VARCHAR(10) NOT NULL, 
	date_precision VARCHAR(8) NOT NULL, 
	valid_until VARCHAR(10), 
	confidence VARCHAR(16) NOT NULL, 
	place_id VARCHAR(100), 
	notes TEXT NOT NULL, 
	review_state VARCHAR(16) NOT NULL, 
	version INTEGER NOT NULL, 
	retracted BOOLEAN NOT NULL, 
	created_by VARCHAR(100) NOT NULL, 
	created_at VARCHAR(32) NOT NULL, 
	updated_by VARCHAR(100) NOT NULL, 
	updated_at VARCHAR(32) NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(actor_id) REFERENCES actors (id)
);
INSERT INTO claims VALUES(1,'iraq-gov','control','all',X'01030000000100000005000000cdccccccccec45406666666666a64040cdccccccccec45403333333333b340409a99999999d945403333333333b340409a99999999d945406666666666a64040cdccccccccec45406666666666a64040',43.700000000000002843,33.299999999999997158,43.85000000000000142,33.399999999999998578,'2013-12-30','day',NULL,'assessed',NULL,'','approved',1,0,'main','2026-11-30T03:32:17+00:00','main','2026-11-30T03:32:17+00:00');
INSERT INTO claims VALUES(2,'isil','control','most',X'01030000000100000005000000295c8fc2f5e84540295c8fc2f5a84040295c8fc2f5e84540713d0ad7a3b040405c8fc2f528dc4540713d0ad7a3b040405c8fc2f528dc4540295c8fc2f5a84040295c8fc2f5e84540295c8fc2f5a84040',43.719999999999998863,33.320000000000000283,43.820000000000000283,33.380000000000002557,'2014-01-02','day',NULL,'assessed',NULL,'legacy','approved',1,0,'main','2026-11-30T03:32:17+00:00','main','2026-11-30T03:32:17+00:00');
INSERT INTO claims VALUES(3,'isil','control','all',X'010300000001000000050000003333333333734540cdcccccccccc404033333333337345409a99999999d9404066666666666645409a99999999d940406666666666664540cdcccccccccc40403333333333734540cdcccccccccc4040',42.799999999999997156,33.600000000000001421,42.899999999999998577,33.700000000000002841,'2014-10-13','day',NULL,'assessed',NULL,'','pending',1,0,'main','2026-11-30T03:32:17+00:00','main','2026-11-30T03:32:17+00:00');
CREATE TABLE citations (
	id INTEGER NOT NULL, 
	claim_id INTEGER NOT NULL, 
	source_id INTEGER NOT NULL, 
	position INTEGER NOT NULL, 
	excerpt TEXT NOT NULL, 
	locator VARCHAR(200) NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(claim_id) REFERENCES claims (id), 
	FOREIGN KEY(source_id) REFERENCES sources (id)
);
INSERT INTO citations VALUES(1,1,1,0,'held','');
INSERT INTO citations VALUES(2,2,1,0,'most of Fallujah','');
INSERT INTO citations VALUES(3,3,1,0,'Hit','');
CREATE TABLE revisions (
	id INTEGER NOT NULL, 
	claim_id INTEGER NOT NULL, 
	version INTEGER NOT NULL, 
	action VARCHAR(32) NOT NULL, 
	who VARCHAR(100) NOT NULL, 
	at VARCHAR(32) NOT NULL, 
	why TEXT NOT NULL, 
	snapshot TEXT NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(claim_id) REFERENCES claims (id)
);
INSERT INTO revisions VALUES(1,1,1,'create','main','2026-11-30T03:32:17+00:00','','{"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [[[43.85, 33.3], [43.85, 33.4], [43.7, 33.4], [43.7, 33.3], [43.85, 33.3]]]}, "properties": {"actor": "iraq-gov", "status": "control", "extent": "all", "observed_on": "2013-12-30", "date_precision": "day", "valid_until": null, "confidence": "assessed", "place_id": null, "notes": "", "review_state": "approved", "version": 1, "retracted": false, "citations": [{"title": "A report", "publisher": "Example", "author": "", "url": "https://example.org/r", "published": "2014-01-02", "excerpt": "held", "locator": ""}]}}');
INSERT INTO revisions VALUES(2,2,1,'create','main','2026-11-30T03:32:17+00:00','','{"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [[[43.82, 33.32], [43.82, 33.38], [43.72, 33.38], [43.72, 33.32], [43.82, 33.32]]]}, "properties": {"actor": "isil", "status": "control", "extent": "most", "observed_on": "2014-01-02", "date_precision": "day", "valid_until": null, "confidence": "assessed", "place_id": null, "notes": "legacy", "review_state": "approved", "version": 1, "retracted": false, "citations": [{"title": "A report", "publisher": "Example", "author": "", "url": "https://example.org/r", "published": "2014-01-02", "excerpt": "most of Fallujah", "locator": ""}]}}');
INSERT INTO revisions VALUES(3,3,1,'create','main','2026-11-30T03:32:17+00:00','','{"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [[[42.9, 33.6], [42.9, 33.7], [42.8, 33.7], [42.8, 33.6], [42.9, 33.6]]]}, "properties": {"actor": "isil", "status": "control", "extent": "all", "observed_on": "2014-10-13", "date_precision": "day", "valid_until": null, "confidence": "assessed", "place_id": null, "notes": "", "review_state": "pending", "version": 1, "retracted": false, "citations": [{"title": "A report", "publisher": "Example", "author": "", "url": "https://example.org/r", "published": "2014-01-02", "excerpt": "Hit", "locator": ""}]}}');
CREATE INDEX ix_claims_observed ON claims (review_state, observed_on);
CREATE INDEX ix_citations_claim_id ON citations (claim_id);
CREATE INDEX ix_revisions_claim_id ON revisions (claim_id);
COMMIT;
