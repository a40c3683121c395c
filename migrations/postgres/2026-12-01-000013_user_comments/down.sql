DROP TABLE user_comments;
